/** The local Lambda service: Lambda API, in-process hosting of Java handlers by class name, async invocations. */
package dev.skyloom.local.cloud.lambda;
