package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
)

// NewServer returns the provider's protocol 6 server, as main serves it and the acceptance
// tests run it. Every call goes to the plugin framework except the four that carry the state of
// a concur_provisioning_mapping, whose users map holds a whole company: those are served on
// plain protocol values (see mappingServer), because the framework's passes over a value cost
// quadratic time in its number of elements.
func NewServer(version string) func() tfprotov6.ProviderServer {
	return func() tfprotov6.ProviderServer {
		p := &concurProvider{version: version}
		framework := providerserver.NewProtocol6(p)()
		return &server{ProviderServer: framework, mapping: newMappingServer(p, framework)}
	}
}

type server struct {
	tfprotov6.ProviderServer
	mapping *mappingServer
}

func (s *server) UpgradeResourceState(ctx context.Context, req *tfprotov6.UpgradeResourceStateRequest) (*tfprotov6.UpgradeResourceStateResponse, error) {
	if req.TypeName == mappingTypeName {
		return s.mapping.UpgradeResourceState(ctx, req)
	}
	return s.ProviderServer.UpgradeResourceState(ctx, req)
}

func (s *server) ReadResource(ctx context.Context, req *tfprotov6.ReadResourceRequest) (*tfprotov6.ReadResourceResponse, error) {
	if req.TypeName == mappingTypeName {
		return s.mapping.ReadResource(ctx, req)
	}
	return s.ProviderServer.ReadResource(ctx, req)
}

func (s *server) PlanResourceChange(ctx context.Context, req *tfprotov6.PlanResourceChangeRequest) (*tfprotov6.PlanResourceChangeResponse, error) {
	if req.TypeName == mappingTypeName {
		return s.mapping.PlanResourceChange(ctx, req)
	}
	return s.ProviderServer.PlanResourceChange(ctx, req)
}

func (s *server) ApplyResourceChange(ctx context.Context, req *tfprotov6.ApplyResourceChangeRequest) (*tfprotov6.ApplyResourceChangeResponse, error) {
	if req.TypeName == mappingTypeName {
		return s.mapping.ApplyResourceChange(ctx, req)
	}
	return s.ProviderServer.ApplyResourceChange(ctx, req)
}
