/** Health of the platform's dependencies: checks behind a port, run concurrently with a deadline. */
package dev.skyloom.core.health;
