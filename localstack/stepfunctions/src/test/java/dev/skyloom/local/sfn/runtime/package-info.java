/** Tests of the engine core's internal codecs. */
package dev.skyloom.local.sfn.runtime;
