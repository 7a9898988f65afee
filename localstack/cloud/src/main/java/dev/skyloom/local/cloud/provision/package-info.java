/** Creation of the manifest's resources through the SDK clients, and the bootstrap of the default tenant. */
package dev.skyloom.local.cloud.provision;
