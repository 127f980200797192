package web

// portalRoutes registers the customer portal's pages under /portal.
func (w *Web) portalRoutes() {}
