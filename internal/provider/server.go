package provider

import (
	"context"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
)

// NewServer returns the provider's protocol 6 server, as main serves it and the acceptance
// tests run it. Every call goes to the plugin framework except the four that carry the state of
// a concur_provisioning_mapping, whose users map holds a whole company: those are served on
// plain protocol values (see mappingServer), because the framework's passes over a value cost
// quadratic time in its number of elements. For the same reason a concur_user's upgrade, its
// refresh and its plans without change are answered without the framework (see userServer).
func NewServer(version string) func() tfprotov6.ProviderServer {
	return func() tfprotov6.ProviderServer {
		p := &concurProvider{version: version}
		framework := providerserver.NewProtocol6(p)()
		return &server{
			ProviderServer: framework,
			lists:          invariant[tfprotov6.ListResourceServer](framework, "the framework's server serves list resources"),
			mapping:        newMappingServer(p, framework),
			user:           newUserServer(p, framework),
		}
	}
}

type server struct {
	tfprotov6.ProviderServer
	// lists serves list resources (terraform query), which the framework implements outside
	// the ProviderServer interface.
	lists   tfprotov6.ListResourceServer
	mapping *mappingServer
	user    *userServer
}

func (s *server) ValidateListResourceConfig(ctx context.Context, req *tfprotov6.ValidateListResourceConfigRequest) (*tfprotov6.ValidateListResourceConfigResponse, error) {
	return s.lists.ValidateListResourceConfig(ctx, req)
}

func (s *server) ListResource(ctx context.Context, req *tfprotov6.ListResourceRequest) (*tfprotov6.ListResourceServerStream, error) {
	return s.lists.ListResource(ctx, req)
}

func (s *server) UpgradeResourceState(ctx context.Context, req *tfprotov6.UpgradeResourceStateRequest) (*tfprotov6.UpgradeResourceStateResponse, error) {
	if req.TypeName == mappingTypeName {
		return s.mapping.UpgradeResourceState(ctx, req)
	}
	if req.TypeName == userTypeName {
		return s.user.UpgradeResourceState(ctx, req)
	}
	return s.ProviderServer.UpgradeResourceState(ctx, req)
}

func (s *server) ReadResource(ctx context.Context, req *tfprotov6.ReadResourceRequest) (*tfprotov6.ReadResourceResponse, error) {
	if req.TypeName == mappingTypeName {
		return s.mapping.ReadResource(ctx, req)
	}
	if req.TypeName == userTypeName {
		return s.user.ReadResource(ctx, req)
	}
	return s.ProviderServer.ReadResource(ctx, req)
}

func (s *server) PlanResourceChange(ctx context.Context, req *tfprotov6.PlanResourceChangeRequest) (*tfprotov6.PlanResourceChangeResponse, error) {
	if req.TypeName == mappingTypeName {
		return s.mapping.PlanResourceChange(ctx, req)
	}
	if req.TypeName == userTypeName {
		return s.user.PlanResourceChange(ctx, req)
	}
	return s.ProviderServer.PlanResourceChange(ctx, req)
}

func (s *server) ApplyResourceChange(ctx context.Context, req *tfprotov6.ApplyResourceChangeRequest) (*tfprotov6.ApplyResourceChangeResponse, error) {
	if req.TypeName == mappingTypeName {
		return s.mapping.ApplyResourceChange(ctx, req)
	}
	return s.ProviderServer.ApplyResourceChange(ctx, req)
}

// invariant is a type assertion that holds by construction (the framework's server type, the
// types a schema implies); a failure is a bug, reported as such.
func invariant[T any](value any, what string) T {
	typed, ok := value.(T)
	if !ok {
		panic(fmt.Sprintf("provider bug: expected %s, got %T", what, value))
	}
	return typed
}
