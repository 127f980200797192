//go:build !linux

package store

// threadCPU is measured on Linux only.
func threadCPU() (int64, bool) { return 0, false }
