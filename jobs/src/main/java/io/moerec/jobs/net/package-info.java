/**
 * Free loopback ports for the servers the project starts itself.
 */
package io.moerec.jobs.net;
