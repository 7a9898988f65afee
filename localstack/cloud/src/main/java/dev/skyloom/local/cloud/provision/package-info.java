/**
 * Creation of the manifest's resources through the SDK clients (and its event bus and rules through the local
 * EventBridge; schedule groups are only recorded), and the bootstrap of the default tenant.
 */
package dev.skyloom.local.cloud.provision;
