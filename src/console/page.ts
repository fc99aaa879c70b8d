// The console's shell page and style sheet. The page is static: a navigation, a main area the
// scripts (web/*.ts, compiled to dist/src/console/web) fill, and no inline script or style (CSP).

export function consoleHtml(): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Wayfinder console</title>
<link rel="stylesheet" href="/_wayfinder/console/style.css">
<script type="module" src="/_wayfinder/console/app/main.js"></script>
</head>
<body>
<header class="top"><a class="brand" href="#/">Wayfinder console</a><span id="who" class="who"></span><span id="live" class="live" title="Live updates">offline</span></header>
<div class="frame">
<nav aria-label="Services">
<ul>
<li><a href="#/ecs/clusters">Amazon ECS</a></li>
<li><a href="#/apigateway/apis">API Gateway</a></li>
<li><a href="#/apigateway/vpc-links">VPC links</a></li>
<li><a href="#/cloudmap/namespaces">AWS Cloud Map</a></li>
<li><a href="#/ecr/repositories">Amazon ECR</a></li>
<li><a href="#/cloudformation/stacks">CloudFormation</a></li>
<li><a href="#/ecs/task-definitions">Task definitions</a></li>
<li><a href="#/logs">CloudWatch Logs</a></li>
<li><a href="#/topology">Topology</a></li>
</ul>
</nav>
<main id="main" tabindex="-1"><p>Loading…</p></main>
</div>
</body>
</html>
`;
}

export const CONSOLE_CSS = `
:root { --ink: #16191f; --line: #d5dbdb; --accent: #0972d3; --ok: #037f0c; --bad: #d91515; --pending: #8d6605; font-family: system-ui, sans-serif; color: var(--ink); }
body { margin: 0; }
.top { display: flex; gap: 1rem; align-items: center; background: #232f3e; color: #fff; padding: .5rem 1rem; }
.top a { color: #fff; text-decoration: none; font-weight: 600; }
.who { margin-left: auto; font-size: .85rem; opacity: .85; }
.live { font-size: .8rem; padding: .1rem .5rem; border-radius: 1rem; background: #545b64; }
.live.on { background: var(--ok); }
.frame { display: flex; min-height: calc(100vh - 2.5rem); }
nav { width: 13rem; border-right: 1px solid var(--line); padding: 1rem; }
nav ul { list-style: none; margin: 0; padding: 0; }
nav li { margin: .4rem 0; }
nav a { color: var(--accent); }
main { flex: 1; padding: 1rem 1.5rem; outline: none; }
h1 { font-size: 1.4rem; margin: .2rem 0 1rem; }
h2 { font-size: 1.1rem; margin: 1.2rem 0 .5rem; }
table { border-collapse: collapse; width: 100%; margin: .5rem 0 1rem; }
th, td { text-align: left; padding: .35rem .6rem; border-bottom: 1px solid var(--line); font-size: .9rem; vertical-align: top; }
th { background: #f2f3f3; }
button { font: inherit; padding: .35rem .9rem; border-radius: 1rem; border: 1px solid var(--accent); background: #fff; color: var(--accent); cursor: pointer; }
a[role=button] { display: inline-block; padding: .35rem .9rem; border-radius: 1rem; background: #ff9900; border: 1px solid #ec7211; color: #000; font-weight: 600; text-decoration: none; }
button.primary { background: #ff9900; border-color: #ec7211; color: #000; font-weight: 600; }
button:focus-visible, a:focus-visible, input:focus-visible, select:focus-visible, textarea:focus-visible { outline: 2px solid var(--accent); outline-offset: 2px; }
.tabs { display: flex; gap: .25rem; border-bottom: 1px solid var(--line); margin: .5rem 0 1rem; }
.tabs a { padding: .4rem .9rem; text-decoration: none; color: var(--ink); border-bottom: 3px solid transparent; }
.tabs a[aria-current="page"] { border-color: var(--accent); color: var(--accent); font-weight: 600; }
form.aws { max-width: 44rem; }
fieldset { border: 1px solid var(--line); border-radius: .5rem; margin: 0 0 1rem; padding: .8rem 1rem; }
legend { font-weight: 600; }
.field { display: flex; flex-direction: column; gap: .25rem; margin: .6rem 0; }
.field.inline { flex-direction: row; align-items: center; gap: .5rem; }
.field input[type=text], .field input[type=number], .field select, .field textarea { font: inherit; padding: .3rem .4rem; border: 1px solid #8c8c94; border-radius: .25rem; max-width: 30rem; }
.actions { display: flex; gap: .5rem; margin: 1rem 0; }
.status-RUNNING, .status-ACTIVE, .status-AVAILABLE, .status-HEALTHY, .status-CREATE_COMPLETE, .status-UPDATE_COMPLETE, .status-COMPLETED, .status-SUCCESS { color: var(--ok); font-weight: 600; }
.status-PENDING, .status-PROVISIONING, .status-ACTIVATING, .status-IN_PROGRESS, .status-CREATE_IN_PROGRESS, .status-DEPROVISIONING, .status-STOPPING, .status-DRAINING, .status-UNKNOWN { color: var(--pending); font-weight: 600; }
.status-STOPPED, .status-FAILED, .status-UNHEALTHY, .status-INACTIVE, .status-ROLLBACK_COMPLETE, .status-CREATE_FAILED, .status-DELETED { color: var(--bad); font-weight: 600; }
.error { border: 1px solid var(--bad); background: #fff7f7; padding: .6rem .9rem; border-radius: .4rem; margin: .6rem 0; }
.error strong { color: var(--bad); }
.notice { border: 1px solid var(--line); background: #f2f8fd; padding: .6rem .9rem; border-radius: .4rem; }
.muted { color: #5f6b7a; }
section.path { margin: .8rem 0; }
.hops { display: flex; flex-wrap: wrap; align-items: flex-start; gap: .4rem; }
ol.traces { list-style: none; margin: .4rem 0 0 1rem; padding: 0; font-size: .85rem; }
.trace { display: flex; flex-wrap: wrap; gap: .3rem; align-items: center; margin: .15rem 0; }
.req { font-weight: 600; padding: 0 .35rem; border-radius: .3rem; color: #fff; }
.req-ok { background: var(--ok); }
.req-warn { background: var(--pending); }
.req-bad { background: var(--bad); }
.hop { border: 1px solid var(--line); border-radius: .4rem; padding: .4rem .6rem; }
.hop + .hop::before { content: "→ "; color: #5f6b7a; }
.hop ul { margin: .2rem 0 0; padding-left: 1rem; }
pre { background: #f2f3f3; padding: .6rem; border-radius: .3rem; overflow: auto; font-size: .85rem; }
`;
