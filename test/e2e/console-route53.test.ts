// The namespace's Route 53 hosted zone in real Chromium: reached from the Cloud Map namespace page, it
// shows the records Wayfinder's DNS server serves (SRV and A), and a new instance's records appear and a
// health change shows without a reload (the change stream), as `aws route53 list-resource-record-sets` shows them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import * as SD from '@aws-sdk/client-servicediscovery';
import { browserMissing, launchChromium, SCREENSHOTS } from '../support/browser.js';
import { privateNamespace, register, sdClient, srvAndAService } from '../support/cloudmap.js';
import { startTestServer } from '../support/server.js';

test('console: a namespace’s hosted zone lists its SRV and A records; a new instance’s records and a health change show live', { skip: browserMissing() }, async () => {
  const server = await startTestServer();
  const browser = await launchChromium();
  const sd = sdClient(server);
  try {
    const nsId = await privateNamespace(sd, server, 'shop.test');
    const cart = await srvAndAService(sd, nsId, 'cart');
    await register(sd, cart, 'cart-1', { AWS_INSTANCE_IPV4: '127.0.0.7', AWS_INSTANCE_PORT: '8080' });
    const { Namespace } = await sd.send(new SD.GetNamespaceCommand({ Id: nsId }));
    const zoneId = Namespace!.Properties!.DnsProperties!.HostedZoneId!;

    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`http://localhost:${server.port}/_wayfinder/console/#/cloudmap/namespaces`);
    await page.getByRole('link', { name: 'shop.test' }).click();
    await page.getByRole('link', { name: zoneId }).click();
    await page.getByRole('heading', { name: 'shop.test.' }).waitFor();
    await page.getByText('Private hosted zone').waitFor();
    const records = page.getByRole('table', { name: 'Records' });
    const srv = records.locator('tr', { hasText: '1 1 8080 cart-1.cart.shop.test.' });
    await srv.waitFor();
    await srv.locator('.status-HEALTHY').waitFor();
    assert.deepEqual(await srv.locator('td').allTextContents(), ['cart.shop.test.', 'SRV', 'Multivalue answer', '1 1 8080 cart-1.cart.shop.test.', '10', 'cart-1', 'HEALTHY']);
    await records.locator('tr', { hasText: 'cart-1.cart.shop.test.' }).filter({ hasText: '127.0.0.7' }).waitFor();
    await records.locator('tr', { hasText: 'ns-1536.awsdns-00.co.uk.' }).first().waitFor();

    // Registered from outside (the SDK): its SRV and A records appear on the open page, no reload.
    await register(sd, cart, 'cart-2', { AWS_INSTANCE_IPV4: '127.0.0.8', AWS_INSTANCE_PORT: '8081' });
    await records.locator('tr', { hasText: '1 1 8081 cart-2.cart.shop.test.' }).waitFor();
    await records.locator('tr', { hasText: 'cart-2.cart.shop.test.' }).filter({ hasText: '127.0.0.8' }).waitFor();
    // Health set from outside: the instance's records turn UNHEALTHY on the open page (DNS now leaves them out).
    await sd.send(new SD.UpdateInstanceCustomHealthStatusCommand({ ServiceId: cart, InstanceId: 'cart-1', Status: 'UNHEALTHY' }));
    await srv.locator('.status-UNHEALTHY').waitFor();
    await page.screenshot({ path: join(SCREENSHOTS, 'route53-hosted-zone.png'), fullPage: true });

    // A zone that is not there: Route 53's error, shown as the AWS console shows it.
    await page.goto(`http://localhost:${server.port}/_wayfinder/console/#/route53/hostedzones/ZNOSUCHZONE000000000`);
    await page.getByRole('alert').getByText('NoSuchHostedZone').waitFor();
    assert.deepEqual(errors, []);
  } finally {
    sd.destroy();
    await browser.close();
    await server.destroy();
  }
});
