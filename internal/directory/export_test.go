package directory

// ReadEntryByEntry makes c read entries as it does on a server that cannot search by DN: one
// base search each, the way every group member was read before batching.
func ReadEntryByEntry(c *Client) { c.dnAttribute = "" }
