package web

// adminRoutes registers the admin pages under /admin and the personal
// settings under /settings.
func (w *Web) adminRoutes() {}
