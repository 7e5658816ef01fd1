// Puppeteer must never download a browser: tests use Debian's chromium and firefox-esr.
module.exports = { skipDownload: true };
