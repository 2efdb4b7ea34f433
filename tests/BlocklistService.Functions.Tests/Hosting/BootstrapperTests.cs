using System.Net;
using System.Text.Json;
using BlocklistService.Functions.Auth;
using BlocklistService.Functions.Hosting;
using BlocklistService.Functions.Tests.Support;
using BlocklistService.Testing;

namespace BlocklistService.Functions.Tests.Hosting;

public sealed class BootstrapperTests(AzuriteFixture storage) : IClassFixture<AzuriteFixture>
{
    [Fact]
    public async Task The_local_file_gets_one_working_key_per_role_and_a_restart_reuses_them()
    {
        var file = Path.Combine(Path.GetTempPath(), Azurite.UniqueName("local") + ".json");
        var settings = new Dictionary<string, string?> { ["Bootstrap:LocalFile"] = file, ["Bootstrap:ApiUrl"] = "http://127.0.0.1:7071" };
        string first;
        string prefix;
        await using (var api = new ApiFactory(storage.ConnectionString, settings))
        {
            api.CreateClient();
            prefix = api.TablePrefix;
            first = await File.ReadAllTextAsync(file);
            var keys = JsonDocument.Parse(first).RootElement.GetProperty("keys");
            Assert.Equal(Roles.All.Order(), keys.EnumerateObject().Select(p => p.Name).Order());
            var hotline = api.WithKey(keys.GetProperty("hotline").GetString());
            var admin = api.WithKey(keys.GetProperty("admin").GetString());
            Assert.Equal(HttpStatusCode.Accepted, (await hotline.SendAsync(Payloads.Post(Payloads.Body(Payloads.Add("http://local.example/a", lists: ["eu", "uk"]))))).StatusCode);
            Assert.Equal(HttpStatusCode.OK, (await admin.GetAsync("/api/v1/admin/keys")).StatusCode);
        }

        await using (var again = new ApiFactory(storage.ConnectionString, new Dictionary<string, string?>(settings) { ["Storage:TablePrefix"] = prefix }))
        {
            again.CreateClient();
            Assert.Equal(first, await File.ReadAllTextAsync(file));
        }

        File.Delete(file);
    }

    [Fact]
    public async Task The_bootstrap_admin_key_setting_stores_a_working_admin_key_once()
    {
        var key = ApiKey.Generate();
        await using var api = new ApiFactory(storage.ConnectionString, new Dictionary<string, string?> { ["Bootstrap:AdminKey"] = Bootstrapper.AdminKeySetting(key) });
        var admin = api.WithKey(key.Value);

        var issued = await admin.PostAsync("/api/v1/admin/keys",
            new StringContent("""{"role":"hotline","organisation":"first-hotline","reason":"first hotline onboarded"}""", System.Text.Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.Created, issued.StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await admin.RevokeKeyAsync(key.KeyId)).StatusCode);
        await using var restarted = new ApiFactory(storage.ConnectionString, new Dictionary<string, string?>
        {
            ["Bootstrap:AdminKey"] = Bootstrapper.AdminKeySetting(key), ["Storage:TablePrefix"] = api.TablePrefix,
        });
        Assert.Equal(HttpStatusCode.Unauthorized, (await restarted.WithKey(key.Value).GetAsync("/api/v1/admin/keys")).StatusCode);
    }
}
