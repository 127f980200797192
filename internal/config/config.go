// Package config is the one struct of settings a Cairn process runs with,
// filled from flags and the environment (flags win).
package config

import (
	"flag"
	"os"
	"time"
)

// Config holds every setting.
type Config struct {
	Addr            string        // listen address, CAIRN_ADDR
	DB              string        // sqlite:PATH or postgres:// URL, CAIRN_DB
	Demo            bool          // load demo data at start
	LogLevel        string        // debug, info, warn, error; CAIRN_LOG_LEVEL
	ShutdownTimeout time.Duration // how long in-flight requests may finish
}

// Defaults are the settings of a fresh install.
func Defaults() Config {
	return Config{Addr: ":8080", DB: "sqlite:./cairn-data/cairn.db", LogLevel: "info", ShutdownTimeout: 15 * time.Second}
}

// FromEnv overrides defaults with CAIRN_* variables.
func FromEnv(c Config, getenv func(string) string) Config {
	if v := getenv("CAIRN_ADDR"); v != "" {
		c.Addr = v
	}
	if v := getenv("CAIRN_DB"); v != "" {
		c.DB = v
	}
	if v := getenv("CAIRN_LOG_LEVEL"); v != "" {
		c.LogLevel = v
	}
	return c
}

// Load reads the environment, then the database flag that every subcommand
// takes into fs; call fs.Parse afterwards.
func Load(fs *flag.FlagSet) *Config {
	c := FromEnv(Defaults(), os.Getenv)
	fs.StringVar(&c.DB, "db", c.DB, "database: sqlite:PATH or a postgres:// URL (env CAIRN_DB)")
	return &c
}
