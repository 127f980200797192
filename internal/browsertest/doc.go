// Package browsertest holds Cairn's browser tests: the main journeys of the
// customer portal and the agent workspace, driven in a real headless
// Chromium against a real server and store. The package has no code of its
// own; its tests skip, saying why, where no Chromium is installed.
//
// Set CAIRN_CHROMIUM to the path of a Chrome or Chromium binary to choose
// the browser, and CAIRN_UPDATE_SCREENSHOTS=1 to rewrite the screenshots
// under docs/ from the demo data.
package browsertest
