/** The Step Functions wire protocol (AWS JSON 1.0): action dispatch, date encoding and error mapping. */
package dev.skyloom.local.sfn.api;
