// Package bench measures the provider the way its users run it: the real terraform binary,
// the Concur sandbox as a process with network latency, and a real OpenLDAP slapd holding a
// company of generated people. The benchmark is TestCLIBench, behind the clibench build tag
// so that no test run waits on it; `make bench` runs it and prints a table for the README.
package bench
