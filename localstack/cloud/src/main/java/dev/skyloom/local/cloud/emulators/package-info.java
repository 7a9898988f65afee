/** Real AWS emulators (DynamoDB Local, ElasticMQ, s3proxy) started in-process on internal loopback ports. */
package dev.skyloom.local.cloud.emulators;
