/** Wire-format tests with the real AWS SDK v2 SfnClient against the engine behind a test-only HTTP server. */
package dev.skyloom.local.sfn.wire;
