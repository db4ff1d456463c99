// A stand-in for `pulumi-language-nodejs`, whose module (the Pulumi repository's
// sdk/nodejs/cmd/pulumi-language-nodejs) the Go module proxy does not serve, so it cannot be
// built here. It is a language host that does nothing: GetPluginInfo gives the CLI's version,
// InstallDependencies installs nothing and succeeds (the tests link the repository's
// node_modules instead), and every other call answers Unimplemented, which the CLI treats as an
// older host (sdk/go/common/resource/plugin/langruntime_plugin.go at v3.248.0: Handshake,
// RuntimeOptionsPrompts and Template are skipped). That is enough for `pulumi new` to start it,
// so the CLI's own steps (copy the template, rename the project, answer the template's config
// prompts, create the stack, write its file) run for real. It cannot run a program or a policy
// pack, and the tests put it on PATH only for `pulumi new`.
package main

import (
	"context"
	"fmt"
	"os"

	"github.com/pulumi/pulumi/sdk/v3/go/common/util/rpcutil"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"google.golang.org/grpc"
	"google.golang.org/protobuf/types/known/emptypb"
)

// version is set by the linker to the CLI's version.
var version = "0.0.0"

type standin struct {
	pulumirpc.UnimplementedLanguageRuntimeServer
}

func (standin) GetPluginInfo(context.Context, *emptypb.Empty) (*pulumirpc.PluginInfo, error) {
	return &pulumirpc.PluginInfo{Version: version}, nil
}

// InstallDependencies ends its stream at once. Answering Unimplemented would not do: the CLI
// checks for that only when the call starts, and a stream's status arrives with its first
// message, so `pulumi new` would fail ("installing dependencies failed").
func (standin) InstallDependencies(
	*pulumirpc.InstallDependenciesRequest, pulumirpc.LanguageRuntime_InstallDependenciesServer,
) error {
	return nil
}

func main() {
	// The plugin protocol: serve on a free port and print it as the first line of stdout.
	handle, err := rpcutil.ServeWithOptions(rpcutil.ServeOptions{
		Init: func(srv *grpc.Server) error {
			pulumirpc.RegisterLanguageRuntimeServer(srv, standin{})
			return nil
		},
	})
	if err != nil {
		fmt.Fprintf(os.Stderr, "fatal: %v\n", err)
		os.Exit(1)
	}
	fmt.Printf("%d\n", handle.Port)
	if err := <-handle.Done; err != nil {
		fmt.Fprintf(os.Stderr, "fatal: %v\n", err)
		os.Exit(1)
	}
}
