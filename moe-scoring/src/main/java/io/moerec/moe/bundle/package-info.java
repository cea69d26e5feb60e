/**
 * Model bundles on disk ({@link io.moerec.moe.bundle.ModelBundle}): versioned, checksummed
 * directories of Tribuo models and binary arrays that load only after every checksum and version is
 * verified.
 */
package io.moerec.moe.bundle;
