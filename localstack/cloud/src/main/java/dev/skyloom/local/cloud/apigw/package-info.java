/** The local API Gateway on :8080: REST proxy events for the API Lambda, and the console's static files. */
package dev.skyloom.local.cloud.apigw;
