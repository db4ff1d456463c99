// A Node.js language host of our own, installed as `pulumi-language-nodejs` for `npm run
// preview:real`: the upstream host (sdk/nodejs/cmd/pulumi-language-nodejs in the Pulumi
// repository) is a Go module of its own that the Go module proxy does not serve. This one does
// what `pulumi preview` needs of a host and no more, each rule following the upstream host's
// main.go at v3.248.0 (cited below as "upstream"), which in turn matches what the Node.js SDK's
// runner reads (node_modules/@pulumi/pulumi/cmd/run/index.js and run.js):
//
//   - Run starts `node <@pulumi/pulumi/cmd/run> --monitor ... <entry point>`;
//   - RunPlugin starts the policy pack (`@pulumi/pulumi/cmd/run-policy-pack`), since the CLI
//     starts a Node.js pack through the language host once one is on PATH
//     (sdk/go/common/resource/plugin/analyzer_plugin.go, NewPolicyAnalyzer);
//   - GetRequiredPackages lists the provider packages among package.json's dependencies.
//
// Left out on purpose: installing dependencies (node_modules is there), the monitor proxy and
// the synchronous-invoke pipes upstream puts between the program and the engine (the SDK talks to
// the engine's monitor directly, and it makes no synchronous invokes), debugging, bun, tracing.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	sdk "github.com/pulumi/pulumi/sdk/v3"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource/config"
	"github.com/pulumi/pulumi/sdk/v3/go/common/util/rpcutil"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"google.golang.org/grpc"
	"google.golang.org/protobuf/types/known/emptypb"
)

// version is set by the linker to the CLI's version.
var version = "0.0.0"

type host struct {
	pulumirpc.UnimplementedLanguageRuntimeServer
	// The engine's address: the host's one positional argument
	// (sdk/go/common/resource/plugin/langruntime_plugin.go, buildArgsForNewPlugin).
	engineAddress string
}

func (h *host) GetPluginInfo(context.Context, *emptypb.Empty) (*pulumirpc.PluginInfo, error) {
	return &pulumirpc.PluginInfo{Version: version}, nil
}

// Handshake records the engine's address, as upstream's Handshake does.
func (h *host) Handshake(
	_ context.Context, req *pulumirpc.LanguageHandshakeRequest,
) (*pulumirpc.LanguageHandshakeResponse, error) {
	if req.EngineAddress != "" {
		h.engineAddress = req.EngineAddress
	}
	return &pulumirpc.LanguageHandshakeResponse{}, nil
}

// InstallDependencies ends its stream at once: node_modules is installed by `npm ci`.
func (h *host) InstallDependencies(
	*pulumirpc.InstallDependenciesRequest, pulumirpc.LanguageRuntime_InstallDependenciesServer,
) error {
	return nil
}

type packageJSON struct {
	Name         string            `json:"name"`
	Version      string            `json:"version"`
	Dependencies map[string]string `json:"dependencies"`
	Pulumi       struct {
		Resource bool   `json:"resource"`
		Name     string `json:"name"`
		Version  string `json:"version"`
		Server   string `json:"server"`
	} `json:"pulumi"`
}

func readPackageJSON(path string) (*packageJSON, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var p packageJSON
	if err := json.Unmarshal(b, &p); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return &p, nil
}

// findUp returns the nearest `rel` from dir up to the filesystem root.
func findUp(dir, rel string) (string, error) {
	for {
		candidate := filepath.Join(dir, rel)
		if _, err := os.Stat(candidate); err == nil {
			return candidate, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", fmt.Errorf("%s not found above %s", rel, dir)
		}
		dir = parent
	}
}

// packages lists the provider packages among the dependencies of the program's package.json.
// Upstream walks every node_modules folder instead; the rules for one package are the same
// (upstream getPackageInfo, getPluginName, getPluginVersion): a package is a provider when its
// package.json has `pulumi.resource: true`; the plugin is named by `pulumi.name`, else by the npm
// name without its `@pulumi/` scope; the version is `pulumi.version`, else the package's,
// with a leading `v`.
func packages(programDir string) ([]*pulumirpc.PackageDependency, error) {
	manifest, err := findUp(programDir, "package.json")
	if err != nil {
		return nil, err
	}
	program, err := readPackageJSON(manifest)
	if err != nil {
		return nil, err
	}
	names := make([]string, 0, len(program.Dependencies))
	for name := range program.Dependencies {
		names = append(names, name)
	}
	sort.Strings(names)
	var deps []*pulumirpc.PackageDependency
	for _, name := range names {
		path, err := findUp(filepath.Dir(manifest), filepath.Join("node_modules", name, "package.json"))
		if err != nil {
			return nil, fmt.Errorf("dependency %s is not installed (run npm ci): %w", name, err)
		}
		p, err := readPackageJSON(path)
		if err != nil {
			return nil, err
		}
		if !p.Pulumi.Resource {
			continue
		}
		plugin := p.Pulumi.Name
		if plugin == "" {
			if !strings.HasPrefix(p.Name, "@pulumi/") {
				return nil, fmt.Errorf("%s: a third-party provider package must name its plugin (pulumi.name)", path)
			}
			plugin = strings.TrimPrefix(p.Name, "@pulumi/")
		}
		v := p.Pulumi.Version
		if v == "" {
			v = p.Version
		}
		if !strings.HasPrefix(v, "v") {
			v = "v" + v
		}
		deps = append(deps, &pulumirpc.PackageDependency{
			Name: plugin, Kind: "resource", Version: v, Server: p.Pulumi.Server,
		})
	}
	return deps, nil
}

func (h *host) GetRequiredPackages(
	_ context.Context, req *pulumirpc.GetRequiredPackagesRequest,
) (*pulumirpc.GetRequiredPackagesResponse, error) {
	deps, err := packages(req.GetInfo().GetProgramDirectory())
	if err != nil {
		return nil, err
	}
	return &pulumirpc.GetRequiredPackagesResponse{Packages: deps}, nil
}

func (h *host) GetRequiredPlugins(
	_ context.Context, req *pulumirpc.GetRequiredPluginsRequest,
) (*pulumirpc.GetRequiredPluginsResponse, error) {
	deps, err := packages(req.GetInfo().GetProgramDirectory())
	if err != nil {
		return nil, err
	}
	plugins := make([]*pulumirpc.PluginDependency, len(deps))
	for i, d := range deps {
		plugins[i] = &pulumirpc.PluginDependency{Name: d.Name, Kind: d.Kind, Version: d.Version, Server: d.Server}
	}
	return &pulumirpc.GetRequiredPluginsResponse{Plugins: plugins}, nil
}

// GetProgramDependencies answers with the program's direct dependencies as installed (upstream
// asks the package manager, which lists the same for `npm ls --depth 0`).
func (h *host) GetProgramDependencies(
	_ context.Context, req *pulumirpc.GetProgramDependenciesRequest,
) (*pulumirpc.GetProgramDependenciesResponse, error) {
	dir := req.GetInfo().GetProgramDirectory()
	manifest, err := findUp(dir, "package.json")
	if err != nil {
		return nil, err
	}
	program, err := readPackageJSON(manifest)
	if err != nil {
		return nil, err
	}
	var deps []*pulumirpc.DependencyInfo
	for name := range program.Dependencies {
		path, err := findUp(filepath.Dir(manifest), filepath.Join("node_modules", name, "package.json"))
		if err != nil {
			continue
		}
		if p, err := readPackageJSON(path); err == nil {
			deps = append(deps, &pulumirpc.DependencyInfo{Name: name, Version: p.Version})
		}
	}
	sort.Slice(deps, func(i, j int) bool { return deps[i].Name < deps[j].Name })
	return &pulumirpc.GetProgramDependenciesResponse{Dependencies: deps}, nil
}

// options are Pulumi.yaml's `runtime.options` that change how the program starts (upstream
// parseOptions): typescript (default true), tsconfig, nodeargs.
type options struct {
	typescript   bool
	tsconfigpath string
	nodeargs     []string
}

func parseOptions(raw map[string]any) (options, error) {
	opts := options{typescript: true}
	if v, ok := raw["typescript"]; ok {
		b, ok := v.(bool)
		if !ok {
			return opts, fmt.Errorf("typescript option must be a boolean, got %v", v)
		}
		opts.typescript = b
	}
	if v, ok := raw["tsconfig"]; ok {
		s, ok := v.(string)
		if !ok {
			return opts, fmt.Errorf("tsconfig option must be a string, got %v", v)
		}
		opts.tsconfigpath = s
	}
	if v, ok := raw["nodeargs"]; ok {
		s, ok := v.(string)
		if !ok {
			return opts, fmt.Errorf("nodeargs option must be a string, got %v", v)
		}
		// Upstream splits with shell quoting (shlex); ours are plain flags.
		opts.nodeargs = strings.Fields(s)
	}
	return opts, nil
}

// optionsEnv is what upstream's execRuntime and RunPlugin add for the options.
func optionsEnv(opts options) []string {
	var env []string
	if opts.typescript {
		env = append(env, "PULUMI_NODEJS_TYPESCRIPT=true")
	}
	if opts.tsconfigpath != "" {
		env = append(env, "PULUMI_NODEJS_TSCONFIG_PATH="+opts.tsconfigpath)
	}
	return env
}

// locate resolves a module as node would from dir (upstream locateModule asks node too), so npm
// workspaces' hoisting is followed.
func locate(module, dir string) (string, error) {
	cmd := exec.Command("node", "-e", "process.stdout.write(require.resolve(process.argv[1]))", module)
	cmd.Dir = dir
	out, err := cmd.Output()
	if err != nil {
		return "", fmt.Errorf("cannot find %s from %s (is @pulumi/pulumi installed? run npm ci): %w",
			module, dir, err)
	}
	return string(out), nil
}

// runArgs are the runner's arguments (upstream constructArguments; the names are those
// cmd/run/index.js parses): each flag only when it has a value, then the entry point, then the
// program's own arguments.
func (h *host) runArgs(req *pulumirpc.RunRequest, runPath string) []string {
	args := []string{runPath}
	add := func(k, v string) {
		if v != "" {
			args = append(args, "--"+k, v)
		}
	}
	add("monitor", req.GetMonitorAddress())
	add("engine", h.engineAddress)
	add("organization", req.GetOrganization())
	add("project", req.GetProject())
	add("root-directory", req.GetInfo().GetRootDirectory())
	add("stack", req.GetStack())
	add("pwd", req.GetInfo().GetProgramDirectory())
	if req.GetDryRun() {
		args = append(args, "--dry-run")
	}
	add("parallel", strconv.Itoa(int(req.GetParallel())))
	// "The engine should always pass a name for entry point, even if its just ".""
	args = append(args, req.GetInfo().GetEntryPoint())
	return append(args, req.GetArgs()...)
}

// runConfig is PULUMI_CONFIG (upstream constructConfig): a JSON object whose keys are in the old
// `<namespace>:config:<name>` form, which the SDK still reads (runtime/config.js).
func runConfig(req *pulumirpc.RunRequest) (string, error) {
	out := make(map[string]string, len(req.GetConfig()))
	for k, v := range req.GetConfig() {
		key, err := config.ParseKey(k)
		if err != nil {
			return "", err
		}
		out[key.Namespace()+":config:"+key.Name()] = v
	}
	b, err := json.Marshal(out)
	return string(b), err
}

// Run starts the program and waits for it. A non-zero exit is reported as upstream words it; exit
// code 32 means the SDK already showed the user an actionable message (upstream
// nodeJSProcessExitedAfterShowingUserActionableMessage), so the engine is told to bail quietly.
func (h *host) Run(_ context.Context, req *pulumirpc.RunRequest) (*pulumirpc.RunResponse, error) {
	dir := req.GetInfo().GetProgramDirectory()
	runPath := os.Getenv("PULUMI_LANGUAGE_NODEJS_RUN_PATH")
	if runPath == "" {
		runPath = "@pulumi/pulumi/cmd/run"
	}
	runPath, err := locate(runPath, dir)
	if err != nil {
		return &pulumirpc.RunResponse{Error: err.Error()}, nil
	}
	cfg, err := runConfig(req)
	if err != nil {
		return &pulumirpc.RunResponse{Error: "failed to serialize configuration: " + err.Error()}, nil
	}
	secretKeys := req.GetConfigSecretKeys()
	if secretKeys == nil {
		secretKeys = []string{}
	}
	keys, err := json.Marshal(secretKeys)
	if err != nil {
		return nil, err
	}
	opts, err := parseOptions(req.GetInfo().GetOptions().AsMap())
	if err != nil {
		return &pulumirpc.RunResponse{Error: err.Error()}, nil
	}
	env := append(os.Environ(), "PULUMI_CONFIG="+cfg, "PULUMI_CONFIG_SECRET_KEYS="+string(keys))
	env = append(env, optionsEnv(opts)...)

	cmd := exec.Command("node", append(opts.nodeargs, h.runArgs(req, runPath)...)...)
	cmd.Env = env
	// Wrapped so that exec copies through a pipe: node may set its own stdio non-blocking
	// (upstream does the same for that reason).
	cmd.Stdout = struct{ *os.File }{os.Stdout}
	cmd.Stderr = struct{ *os.File }{os.Stderr}
	if err := cmd.Run(); err != nil {
		var exit *exec.ExitError
		if !errors.As(err, &exit) {
			return &pulumirpc.RunResponse{
				Error: "Problem executing program (could not run language executor): " + err.Error(),
			}, nil
		}
		if exit.ExitCode() == 32 {
			return &pulumirpc.RunResponse{Bail: true}, nil
		}
		return &pulumirpc.RunResponse{
			Error: fmt.Sprintf("Program exited with non-zero exit code: %d", exit.ExitCode()),
		}, nil
	}
	return &pulumirpc.RunResponse{}, nil
}

// RunPlugin starts a policy pack (the only plugin the CLI asks us for here), as upstream's
// RunPlugin does for kind "analyzer": `node <run-policy-pack> <args...> <pack directory>` in the
// pack's directory, behind the SDK's PolicyProxy (sdk/v3 policy_proxy.go), which answers the
// engine's Handshake and ConfigureStack itself and starts the pack only then, with the stack's
// organization, project, stack, dry-run and config in the environment the pack reads them from.
func (h *host) RunPlugin(
	req *pulumirpc.RunPluginRequest, server pulumirpc.LanguageRuntime_RunPluginServer,
) error {
	if req.GetKind() != "analyzer" {
		return fmt.Errorf("this language host runs policy packs only, not %q plugins", req.GetKind())
	}
	ctx := server.Context()
	closer, stdout, stderr, err := rpcutil.MakeRunPluginStreams(server, false)
	if err != nil {
		return err
	}
	defer closer.Close()

	dir := req.GetInfo().GetProgramDirectory()
	opts, err := parseOptions(req.GetInfo().GetOptions().AsMap())
	if err != nil {
		return err
	}
	runPath, err := locate("@pulumi/pulumi/cmd/run-policy-pack", dir)
	if err != nil {
		return err
	}
	env := append(req.GetEnv(), optionsEnv(opts)...)
	// "For policy analyzers we need to send the program directory as an argument _last_".
	args := append(append(append([]string{runPath}, opts.nodeargs...), req.GetArgs()...), dir)

	proxy, stdout, err := sdk.NewPolicyProxy(ctx, stdout)
	if err != nil {
		return fmt.Errorf("could not start policy pack proxy: %w", err)
	}
	stack, err := proxy.AwaitConfiguration(ctx)
	if err != nil {
		return fmt.Errorf("could not get stack configuration: %w", err)
	}
	if stack != nil {
		add := func(k, v string) {
			if v != "" {
				env = append(env, k+"="+v)
			}
		}
		add("PULUMI_NODEJS_ORGANIZATION", stack.Organization)
		add("PULUMI_NODEJS_PROJECT", stack.Project)
		add("PULUMI_NODEJS_STACK", stack.Stack)
		add("PULUMI_NODEJS_DRY_RUN", strconv.FormatBool(stack.DryRun))
		if stack.Config != nil {
			b, err := json.Marshal(stack.Config)
			if err != nil {
				return err
			}
			add("PULUMI_CONFIG", string(b))
		}
	}
	cmd := exec.CommandContext(ctx, "node", args...)
	cmd.Dir = dir
	cmd.Env = env
	cmd.Stdout, cmd.Stderr = stdout, stderr
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("could not start the policy pack: %w", err)
	}
	if err := proxy.Attach(ctx, cmd); err != nil {
		return fmt.Errorf("could not attach policy pack proxy: %w", err)
	}
	return closer.Close()
}

func main() {
	h := &host{}
	if args := os.Args[1:]; len(args) > 0 {
		// Flags come first and the engine's address last (buildArgsForNewPlugin).
		h.engineAddress = args[len(args)-1]
	}
	// The plugin protocol: serve on a free port and print it as the first line of stdout.
	handle, err := rpcutil.ServeWithOptions(rpcutil.ServeOptions{
		Init: func(srv *grpc.Server) error {
			pulumirpc.RegisterLanguageRuntimeServer(srv, h)
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
