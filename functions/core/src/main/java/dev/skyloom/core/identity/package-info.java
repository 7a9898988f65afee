/**
 * Tenants, users and API keys: identifiers, the API key format and its hashing, and the bootstrap of a deployment's
 * default tenant. Storage is behind ports implemented in skyloom-aws.
 */
package dev.skyloom.core.identity;
