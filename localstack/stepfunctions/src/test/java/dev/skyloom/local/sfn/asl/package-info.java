/** Tests of definition validation and compilation. */
package dev.skyloom.local.sfn.asl;
