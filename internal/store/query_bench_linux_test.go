package store

import "syscall"

// threadCPU is the CPU time the calling OS thread has used: with the
// goroutine locked to its thread, SQLite's work on a query (it runs in the
// caller), whatever else the machine is busy with.
func threadCPU() (ns int64, ok bool) {
	const rusageThread = 1 // RUSAGE_THREAD
	var ru syscall.Rusage
	if err := syscall.Getrusage(rusageThread, &ru); err != nil {
		return 0, false
	}
	return syscall.TimevalToNsec(ru.Utime) + syscall.TimevalToNsec(ru.Stime), true
}
