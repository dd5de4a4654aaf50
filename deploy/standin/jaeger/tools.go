//go:build tools

package standin

import _ "github.com/jaegertracing/jaeger/cmd/jaeger"
