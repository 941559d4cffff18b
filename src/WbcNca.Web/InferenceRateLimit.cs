using System.Globalization;
using System.Text.Json;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.DependencyInjection;

namespace WbcNca.Web;

/// <summary>
/// The limit on <c>/api/predict</c> and <c>/api/explain</c> (ASP.NET Core's rate limiter): each token (or, for requests
/// without one, each client address) has a bucket of N requests that refills at N per minute, so one client cannot
/// fill the inference queue for the others. A request over the limit is answered 429 with a JSON error and
/// <c>Retry-After</c> (seconds until the bucket holds a request again).
/// </summary>
public static class InferenceRateLimit
{
    /// <summary>The name of the policy the inference endpoints require.</summary>
    public const string Policy = "inference";

    /// <summary>Registers the limiter with <paramref name="perMinute"/> requests per minute per client (0: no limit).</summary>
    public static void Add(IServiceCollection services, int perMinute, JsonSerializerOptions json)
    {
        services.AddRateLimiter(o =>
        {
            o.AddPolicy(Policy, context => perMinute <= 0
                ? RateLimitPartition.GetNoLimiter("none")
                : RateLimitPartition.GetTokenBucketLimiter(Key(context), _ => Bucket(perMinute)));
            o.OnRejected = (rejected, cancel) =>
            {
                HttpResponse response = rejected.HttpContext.Response;
                int seconds = rejected.Lease.TryGetMetadata(MetadataName.RetryAfter, out TimeSpan wait) ? Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds)) : 1;
                response.StatusCode = StatusCodes.Status429TooManyRequests;
                response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
                string who = AccessControl.User(rejected.HttpContext) is { } user ? $"the token of {user.Name}" : "this client address";
                var body = new Dictionary<string, object>
                {
                    ["error"] = $"too many requests: {perMinute} per minute for {who} on /api/predict and /api/explain; try again in {seconds} s",
                    ["status"] = 429,
                };
                return new ValueTask(response.WriteAsJsonAsync(body, json, cancel));
            };
        });
    }

    /// <summary>
    /// A bucket of <paramref name="perMinute"/> requests refilled evenly at that rate: one request every 60/N s up to 60 per
    /// minute, beyond that ⌈N/60⌉ requests per period (periods of about a second or more, which the limiter's 100 ms
    /// refill timer keeps exact).
    /// </summary>
    public static TokenBucketRateLimiterOptions Bucket(int perMinute)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(perMinute, 1);
        int perPeriod = (perMinute + 59) / 60;
        return new TokenBucketRateLimiterOptions
        {
            TokenLimit = perMinute,
            TokensPerPeriod = perPeriod,
            ReplenishmentPeriod = TimeSpan.FromMinutes((double)perPeriod / perMinute),
            QueueLimit = 0,
            AutoReplenishment = true,
        };
    }

    private static string Key(HttpContext context) =>
        AccessControl.User(context) is { } user ? $"token:{user.Id}" : $"address:{context.Connection.RemoteIpAddress}";
}
