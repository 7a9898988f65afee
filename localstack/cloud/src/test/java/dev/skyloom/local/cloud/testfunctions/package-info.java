/**
 * Lambda handlers used by the local cloud's tests. They depend on nothing but the JDK and the Lambda runtime
 * interfaces, because the local Lambda service loads them in an isolated class loader as Lambda would.
 */
package dev.skyloom.local.cloud.testfunctions;
