/** Storage ports shared by the platform's resources; adapters live in skyloom-aws. */
package dev.skyloom.core.store;
