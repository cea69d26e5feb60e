/**
 * Opening a directory as the right {@link io.moerec.ingest.source.DataSet}: the moerec JSON-lines
 * layout or one of the MovieLens releases, by name or by the files present. It sits above both
 * formats so that neither the data-set abstraction nor a format depends on the other's package.
 */
package io.moerec.ingest.datasets;
