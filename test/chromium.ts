// Opens a lab report in a real headless Chromium (Debian's /usr/bin/chromium through playwright-core) and says
// what it rendered: per chart, its data points and how many pixels it drew; console and page errors.

import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';

export const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export interface RenderedChart {
  title: string;
  experiment: string;
  points: number;
  inkPixels: number;
}

export interface ReportView {
  charts: RenderedChart[];
  canvases: number;
  errors: string[];
  injected: boolean;
}

// Runs in the page (a string, so this Node-side project needs no DOM types).
const inspectPage = `(() => {
  const charts = window.hmapCharts.map((c) => {
    const canvas = c.canvas;
    const img = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
    let ink = 0;
    for (let i = 3; i < img.length; i += 4) if (img[i] > 0) ink++;
    return {
      title: canvas.dataset.title || '',
      experiment: canvas.dataset.experiment || '',
      points: c.data.datasets.reduce((s, d) => s + d.data.length, 0),
      inkPixels: ink,
    };
  });
  return { charts, canvases: document.querySelectorAll('canvas').length, injected: window.injected !== undefined };
})()`;

export async function checkReportInChromium(htmlPath: string, screenshotPath: string): Promise<ReportView> {
  const browser = await chromium.launch({
    executablePath: chromiumPath,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const errors: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(m.text());
    });
    page.on('pageerror', (e) => errors.push(String(e)));
    // The page must not reach the network: fail any request that is not the file itself.
    await page.route(/^(?!file:)/, (route) => {
      errors.push(`network request: ${route.request().url()}`);
      return route.abort();
    });
    await page.goto(pathToFileURL(resolve(htmlPath)).href, { waitUntil: 'load' });
    await page.waitForFunction('document.body.dataset.rendered !== undefined', null, { timeout: 30_000 });
    const view = (await page.evaluate(inspectPage)) as Omit<ReportView, 'errors'>;
    mkdirSync(dirname(screenshotPath), { recursive: true });
    await page.screenshot({ path: screenshotPath, fullPage: true });
    return { ...view, errors };
  } finally {
    await browser.close();
  }
}
