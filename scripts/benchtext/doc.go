// Command benchtext measures the text engine (matcher/textmatch) at
// registry scale: fingerprinting MB/s on one core, index build and rebuild
// time, heap per indexed work and pages/s on one core against registries of
// works made from the real texts of the shared test data. Run it through
// scripts/bench-text.sh.
package main
