/**
 * The strict JSON codecs of the records, one per record type behind one strict reader, and the
 * semantic rules and reject reasons every decoder and file loader applies.
 */
package io.moerec.ingest.json;
