/** Helpers over the JDK HTTP server shared by the edge and the API Gateway. */
package dev.skyloom.local.cloud.http;
