var builder = WebApplication.CreateBuilder(args);
var app = builder.Build();
app.MapGet("/", () => Results.Ok());
BlocklistService.Functions.Endpoints.PublishEndpoints.MapPublishEndpoints(app);
app.MapGet("/api/health", () => Results.Ok(new { status = "healthy" }));
app.Run();

/// <summary>Entry point, visible to WebApplicationFactory.</summary>
public partial class Program;
