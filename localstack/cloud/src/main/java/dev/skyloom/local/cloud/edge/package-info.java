/** The AWS-compatible edge on :4566 that routes each request to a service by X-Amz-Target, SigV4 scope or path. */
package dev.skyloom.local.cloud.edge;
