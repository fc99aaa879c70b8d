import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadModel } from './model.js';
import { restXmlNamespace, writeRestXml, writeRestXmlError } from './rest-xml.js';

const model = loadModel('route53');

test('rest-xml answers: the output shape is the root, in the service namespace; list items take their locationName', () => {
  assert.equal(restXmlNamespace(model), ' xmlns="https://route53.amazonaws.com/doc/2013-04-01/"');
  const xml = writeRestXml(model, 'ListHostedZones', {
    HostedZones: [{ Id: '/hostedzone/Z1', Name: 'a.<b>.', CallerReference: 'r', Config: { PrivateZone: true } }],
    Marker: '',
    IsTruncated: false,
    MaxItems: '100',
    Internal: 'never written',
  });
  assert.equal(
    xml,
    '<?xml version="1.0" encoding="UTF-8"?>\n<ListHostedZonesResponse xmlns="https://route53.amazonaws.com/doc/2013-04-01/">' +
      '<HostedZones><HostedZone><Id>/hostedzone/Z1</Id><Name>a.&lt;b&gt;.</Name><CallerReference>r</CallerReference><Config><PrivateZone>true</PrivateZone></Config></HostedZone></HostedZones>' +
      '<Marker></Marker><IsTruncated>false</IsTruncated><MaxItems>100</MaxItems></ListHostedZonesResponse>',
  );
});

test('rest-xml errors: ErrorResponse with Type, Code, Message and RequestId, in the namespace', () => {
  assert.equal(
    writeRestXmlError(model, 'NoSuchHostedZone', 'No hosted zone found with ID: Z1', 404, 'req-1'),
    '<?xml version="1.0" encoding="UTF-8"?>\n<ErrorResponse xmlns="https://route53.amazonaws.com/doc/2013-04-01/"><Error><Type>Sender</Type>' +
      '<Code>NoSuchHostedZone</Code><Message>No hosted zone found with ID: Z1</Message></Error><RequestId>req-1</RequestId></ErrorResponse>',
  );
  assert.match(writeRestXmlError(model, 'InternalFailure', 'x', 500, 'r'), /<Type>Receiver<\/Type>/);
});

test('XML answers stay well-formed when they echo characters XML 1.0 cannot carry (review finding, low)', () => {
  // Before: `<DNSName>a\x01b</DNSName>` and `<Message>… a\x01b …</Message>`: the aws CLI answered
  // "Unable to parse response (not well-formed (invalid token))" instead of the answer or AWS's error.
  const xml = writeRestXml(model, 'ListHostedZonesByName', { HostedZones: [], DNSName: 'a\x00\x01\x1f\uffffb\t', IsTruncated: false, MaxItems: '100' });
  assert.match(xml, /<DNSName>a\uFFFD\uFFFD\uFFFD\uFFFDb\t<\/DNSName>/);
  const err = writeRestXmlError(model, 'NoSuchHostedZone', 'No hosted zone found with ID: Z\x08<1>', 404, 'r');
  assert.match(err, /<Message>No hosted zone found with ID: Z\uFFFD&lt;1&gt;<\/Message>/);
  const controls = [...(xml + err)].filter((c) => c.charCodeAt(0) < 0x20 && c !== '\t' && c !== '\n' && c !== '\r');
  assert.deepEqual(controls, []);
});
