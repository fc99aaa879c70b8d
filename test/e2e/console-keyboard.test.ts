// The console with the keyboard only, in real Chromium: every field of the Create service form is found
// by its label, Tab walks them in the order the form shows them, and the form is filled and submitted
// without a mouse. Every page of the navigation, reached with Tab and Enter, loads without an error and
// without saying "not available yet" (each of those features is built).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as E from '@aws-sdk/client-ec2';
import * as ECS from '@aws-sdk/client-ecs';
import * as SD from '@aws-sdk/client-servicediscovery';
import type { Page } from 'playwright-core';
import { browserMissing, launchChromium } from '../support/browser.js';
import { sdkConfig, startTestServer } from '../support/server.js';

/** The label of the focused control (or the text of a focused link or button). */
function focused(page: Page): Promise<string> {
  // A string: the test build has no DOM types; this runs in the page.
  return page.evaluate<string>(
    "(() => { const el = document.activeElement; return ((el && el.labels && el.labels[0] ? el.labels[0].textContent : el && el.textContent) || '').trim(); })()",
  );
}

test('console keyboard: the Create service form by labels and Tab alone; every nav page reachable and built', { skip: browserMissing() }, async () => {
  const server = await startTestServer();
  const browser = await launchChromium();
  try {
    const cfg = sdkConfig(server);
    const ec2 = new E.EC2Client(cfg);
    const ecs = new ECS.ECSClient(cfg);
    const vpc = (await ec2.send(new E.CreateVpcCommand({ CidrBlock: '10.7.0.0/16' }))).Vpc!.VpcId!;
    const subnet = (await ec2.send(new E.CreateSubnetCommand({ VpcId: vpc, CidrBlock: '10.7.1.0/24', AvailabilityZone: 'us-east-1a' }))).Subnet!.SubnetId!;
    const sg = (await ec2.send(new E.CreateSecurityGroupCommand({ GroupName: 'kb', Description: 'keyboard', VpcId: vpc }))).GroupId!;
    await ecs.send(new ECS.CreateClusterCommand({ clusterName: 'kb' }));
    await ecs.send(
      new ECS.RegisterTaskDefinitionCommand({
        family: 'web',
        requiresCompatibilities: ['FARGATE'],
        networkMode: 'awsvpc',
        cpu: '256',
        memory: '512',
        containerDefinitions: [{ name: 'web', image: 'busybox', essential: true }],
      }),
    );

    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`http://localhost:${server.port}/_wayfinder/console/#/ecs/clusters/kb/create-service`);
    await page
      .getByRole('heading', { name: 'Create service' })
      .waitFor({ timeout: 5000 })
      .catch(async (e) => {
        throw new Error(`${e}: ${await page.getByRole('main').textContent()}`);
      });

    // Every control has a label, and the label finds that control.
    const controls = await page
      .getByRole('form', { name: 'Create service' })
      .locator('input, select, textarea')
      .evaluateAll((els) => els.map((el) => ({ id: el.id, label: ((el as unknown as { labels: { textContent: string }[] }).labels[0]?.textContent ?? '').trim() })));
    assert.ok(controls.length >= 15, `${controls.length} controls`);
    for (const c of controls) {
      assert.ok(c.label, `the control #${c.id} has a label`);
      assert.equal(await page.getByLabel(c.label, { exact: true }).getAttribute('id'), c.id, `getByLabel('${c.label}')`);
    }

    // Tab walks the form in order; the keyboard fills it and Enter submits it.
    const tab = async (expected: string | RegExp) => {
      await page.keyboard.press('Tab');
      const label = await focused(page);
      if (typeof expected === 'string') assert.equal(label, expected);
      else assert.match(label, expected);
    };
    await page.getByLabel('Launch type').focus();
    await tab('Family');
    await page.keyboard.type('web');
    await page.getByLabel('Revision').locator('option').first().waitFor({ state: 'attached' });
    await tab('Revision');
    await tab('Service name');
    await page.keyboard.press('Control+A');
    await page.keyboard.type('kb-web');
    await tab('Desired tasks');
    await page.keyboard.press('Control+A');
    await page.keyboard.type('0');
    await tab('VPC');
    await page.keyboard.type(vpc);
    await page.getByLabel(new RegExp(subnet)).waitFor();
    await tab(new RegExp(subnet));
    await tab('Security group name');
    await page.getByLabel('Security group name').locator(`option[value="${sg}"]`).waitFor({ state: 'attached' });
    await page.keyboard.type(sg); // the VPC's default group is listed too
    await tab('Public IP');
    await tab('Load balancer type');
    await tab('Use service discovery');
    await page.keyboard.press('Space');
    await tab('Create a new namespace');
    await tab('Namespace name');
    await page.keyboard.type('kb.local');
    await tab('Service discovery name');
    await page.keyboard.type('kb-web');
    await tab('DNS record type');
    await page.keyboard.type('S');
    await tab('Port');
    await tab('TTL');
    await tab('Cancel');
    await tab('Create');
    await page.keyboard.press('Enter');
    await page
      .getByRole('heading', { name: 'kb-web' })
      .waitFor({ timeout: 30_000 })
      .catch(async (e) => {
        throw new Error(`${e}: ${await page.getByRole('main').textContent()}`);
      });

    const { services } = await ecs.send(new ECS.DescribeServicesCommand({ cluster: 'kb', services: ['kb-web'] }));
    const svc = services![0]!;
    assert.equal(svc.desiredCount, 0);
    assert.deepEqual(svc.networkConfiguration?.awsvpcConfiguration?.subnets, [subnet]);
    assert.deepEqual(svc.networkConfiguration?.awsvpcConfiguration?.securityGroups, [sg]);
    assert.equal(svc.networkConfiguration?.awsvpcConfiguration?.assignPublicIp, 'DISABLED');
    assert.equal(svc.serviceRegistries?.[0]?.port, 80);
    const [sdService] = (await new SD.ServiceDiscoveryClient(cfg).send(new SD.ListServicesCommand({}))).Services!;
    assert.equal(sdService?.DnsConfig?.DnsRecords?.[0]?.Type, 'SRV');

    // The navigation with Tab and Enter: each page loads, none says "not available yet" or shows an error.
    const nav = page.getByRole('navigation', { name: 'Services' });
    const names = await nav.getByRole('link').allTextContents();
    assert.ok(names.length >= 9, names.join(', '));
    for (const name of names) {
      await page.goto(`http://localhost:${server.port}/_wayfinder/console/#/`);
      await page.getByRole('heading', { name: 'Wayfinder console' }).waitFor();
      await page.locator('body').focus();
      let reached = false;
      for (let i = 0; i < 20 && !reached; i++) {
        await page.keyboard.press('Tab');
        reached = (await focused(page)) === name;
      }
      assert.ok(reached, `Tab reaches ${name}`);
      await page.keyboard.press('Enter');
      await page.getByRole('main').locator('h1').first().waitFor();
      await page.getByRole('main').getByText('Loading…').waitFor({ state: 'detached' });
      const main = (await page.getByRole('main').textContent()) ?? '';
      assert.doesNotMatch(main, /not available yet/, `${name}: ${main.slice(0, 200)}`);
      assert.equal(await page.getByRole('alert').count(), 0, `${name} shows no error`);
    }
    assert.deepEqual(errors, []);
  } finally {
    await browser.close();
    await server.destroy();
  }
});
