package web

// agentRoutes registers the agent workspace's pages under /agent.
func (w *Web) agentRoutes() {}
