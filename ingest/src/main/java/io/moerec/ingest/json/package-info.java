/**
 * The strict codecs of the records, one per record type (JSON behind one strict reader; the user
 * features in a compact binary form as well), and the semantic rules and reject reasons every decoder
 * and file loader applies.
 */
package io.moerec.ingest.json;
