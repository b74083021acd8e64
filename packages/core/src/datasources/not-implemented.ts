// cloud-init's datasources that nimbus does not have yet, each with its place in
// cloud-init's default datasource_list (25.x). When one lands, delete its line here and
// give its record that order: a test fails while a name is in both lists, and when the
// two lists together stop being cloud-init's whole list.
export const NOT_IMPLEMENTED: readonly (readonly [name: string, order: number])[] = [];
