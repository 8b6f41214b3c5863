package main

import (
	"fmt"
	"os"
	"strings"
	"sync"

	"github.com/go-logr/logr"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/klog/v2"
)

// errorLog is the logger the proxier writes through (klog's global logger). It keeps every
// Error() so that a sync can report what failed, and prints everything to stderr.
type errorLog struct {
	mu     sync.Mutex
	errors []string
	name   string
	values []any
	root   *errorLog
}

func installErrorLog() *errorLog {
	l := &errorLog{}
	l.root = l
	klog.SetLogger(logr.New(l))
	return l
}

func (l *errorLog) mark() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.errors)
}

func (l *errorLog) since(mark int) []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]string(nil), l.errors[mark:]...)
}

func (l *errorLog) Init(logr.RuntimeInfo) {}

// Enabled keeps the proxier's verbose (V>=2) chatter out of stderr.
func (l *errorLog) Enabled(level int) bool { return level <= 1 }

func (l *errorLog) Info(level int, msg string, kv ...any) {
	fmt.Fprintf(os.Stderr, "I %s%s\n", msg, format(append(append([]any(nil), l.values...), kv...)))
}

func (l *errorLog) Error(err error, msg string, kv ...any) {
	text := fmt.Sprintf("%s: %v%s", msg, err, format(append(append([]any(nil), l.values...), kv...)))
	fmt.Fprintf(os.Stderr, "E %s\n", text)
	l.root.mu.Lock()
	l.root.errors = append(l.root.errors, text)
	l.root.mu.Unlock()
}

func (l *errorLog) WithValues(kv ...any) logr.LogSink {
	return &errorLog{root: l.root, name: l.name, values: append(append([]any(nil), l.values...), kv...)}
}

func (l *errorLog) WithName(name string) logr.LogSink {
	return &errorLog{root: l.root, name: l.name + "/" + name, values: l.values}
}

func format(kv []any) string {
	var b strings.Builder
	for i := 0; i+1 < len(kv); i += 2 {
		fmt.Fprintf(&b, " %v=%v", kv[i], kv[i+1])
	}
	return b.String()
}

// logRecorder prints the events the proxier records (health-check port problems and the like).
type logRecorder struct{}

func (logRecorder) Eventf(regarding runtime.Object, related runtime.Object, eventtype, reason, action, note string, args ...interface{}) {
	fmt.Fprintf(os.Stderr, "event %s %s %s: %s\n", eventtype, reason, action, fmt.Sprintf(note, args...))
}
