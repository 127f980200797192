package api

import "net/http"

// serveOpenAPI is being written; see openapi.go in the next commit.
func serveOpenAPI(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, map[string]any{"openapi": "3.1.0"})
}
