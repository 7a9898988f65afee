/**
 * A minimal development OIDC issuer on the edge ({@code /_skyloom/idp/...}): an RS256 key kept in the data
 * directory, its JWKS, and a token endpoint that signs access tokens shaped like Cognito's, so the API's JWKS path
 * runs locally exactly as it does against a Cognito user pool on AWS.
 */
package dev.skyloom.local.cloud.idp;
