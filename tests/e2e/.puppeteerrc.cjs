// The tests drive Debian's Chromium (/usr/bin/chromium); puppeteer must not download its own.
module.exports = { skipDownload: true };
