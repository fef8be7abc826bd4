import { launch } from './browser.mjs';

const b = await launch();
const p = await (await b.newContext({ viewport: { width: 1440, height: 900 } })).newPage();
p.on('pageerror', (e) => console.log('pageerror', e.message));
await p.goto('http://localhost:3000/preview/study?trials=300');
const box = p.getByLabel('Log scale');
console.log('disabled', await box.isDisabled(), 'checked', await box.isChecked());
await box.click();
await p.waitForTimeout(500);
console.log('after click checked', await box.isChecked(), p.url());
await b.close();
