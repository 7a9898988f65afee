/** The conformance corpus runner: ASL cases as data files under src/test/resources/conformance. */
package dev.skyloom.local.sfn.conformance;
