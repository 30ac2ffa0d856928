// Runs pa11y (HTML_CodeSniffer, WCAG 2 AA) over pages of a running app, in the
// system Chromium, and prints every issue as JSON on stdout. tests/e2e/test_pa11y.py
// calls it: node pa11y_pages.js '{"chromium": ..., "pages": [{"url": ..., "cookie": ...}]}'
'use strict';

const pa11y = require('pa11y');
const puppeteer = require('puppeteer');

async function main() {
	const {chromium, pages} = JSON.parse(process.argv[2]);
	const browser = await puppeteer.launch({
		executablePath: chromium,
		headless: true,
		args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking']
	});
	const results = [];
	try {
		for (const {url, cookie} of pages) {
			const page = await browser.newPage();
			const result = await pa11y(url, {
				browser,
				page,
				runners: ['htmlcs'],
				standard: 'WCAG2AA',
				headers: {Cookie: cookie},
				timeout: 60000
			});
			results.push({url, title: result.documentTitle, issues: result.issues});
			await page.close();
		}
	} finally {
		await browser.close();
	}
	process.stdout.write(JSON.stringify(results));
}

main().catch(error => {
	process.stderr.write(String(error && error.stack || error));
	process.exit(1);
});
