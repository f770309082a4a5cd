use super::*;
use crate::spec::check::{Options, check};
use crate::spec::load::Source;
use crate::spec::plan::plan;

fn plan_of(spec_extra: &str) -> PodPlan {
    let text = format!(
        "apiVersion: v1\nkind: Pod\nmetadata: {{name: web, namespace: shop}}\nspec:\n  containers: [{{name: a, image: x}}]\n{spec_extra}"
    );
    let checked = check(
        &[Source {
            name: "t".into(),
            text,
        }],
        Options::default(),
    );
    plan(&checked).unwrap()
}

#[test]
fn hosts_follows_the_kubelets_layout() {
    let ip: IpAddr = "10.1.2.3".parse().unwrap();
    let plain = hosts_file(&plan_of(""), ip);
    assert_eq!(
        plain,
        "# Kubernetes-managed hosts file.\n127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n\
         fe00::0\tip6-localnet\nfe00::0\tip6-mcastprefix\nfe00::1\tip6-allnodes\nfe00::2\tip6-allrouters\n\
         10.1.2.3\tweb\n"
    );
    let full = hosts_file(
        &plan_of(
            "  hostname: api\n  subdomain: backend\n  hostAliases:\n  - {ip: 10.0.0.9, hostnames: [db, db.local]}\n  - {ip: \"::1\", hostnames: [six]}\n",
        ),
        ip,
    );
    assert!(full.ends_with(
        "10.1.2.3\tapi.backend.shop.svc.cluster.local\tapi\n\n# Entries added by HostAliases.\n10.0.0.9\tdb\tdb.local\n::1\tsix\n"
    ), "{full}");
}

#[test]
fn hostnames_follow_spec_hostname_subdomain_and_fqdn() {
    let cases = [
        ("", "web", None),
        ("  hostname: api\n", "api", None),
        (
            "  hostname: api\n  subdomain: backend\n",
            "api",
            Some("api.backend.shop.svc.cluster.local"),
        ),
        (
            "  hostname: api\n  subdomain: backend\n  setHostnameAsFQDN: true\n",
            "api.backend.shop.svc.cluster.local",
            Some("api.backend.shop.svc.cluster.local"),
        ),
        ("  setHostnameAsFQDN: true\n", "web", None),
    ];
    for (extra, kernel, full) in cases {
        let plan = plan_of(extra);
        assert_eq!(kernel_hostname(&plan), kernel, "{extra:?}");
        assert_eq!(fqdn(&plan).as_deref(), full, "{extra:?}");
    }
}

#[test]
fn resolv_conf_merges_dns_config_by_policy() {
    let host = "# generated\nnameserver 192.168.1.1\nnameserver 8.8.8.8\nsearch lan\noptions ndots:1 edns0\n";
    let default = resolv_conf(&plan_of("").dns, host);
    assert_eq!(
        default,
        "nameserver 192.168.1.1\nnameserver 8.8.8.8\nsearch lan\noptions ndots:1 edns0\n"
    );
    let merged = resolv_conf(
        &plan_of("  dnsConfig:\n    nameservers: [1.1.1.1]\n    searches: [svc.example]\n    options: [{name: ndots, value: \"5\"}, {name: rotate}]\n").dns,
        host,
    );
    assert_eq!(
        merged,
        "nameserver 192.168.1.1\nnameserver 8.8.8.8\nnameserver 1.1.1.1\nsearch lan svc.example\noptions edns0 ndots:5 rotate\n"
    );
    let none = resolv_conf(
        &plan_of("  dnsPolicy: \"None\"\n  dnsConfig: {nameservers: [10.0.0.10]}\n").dns,
        host,
    );
    assert_eq!(none, "nameserver 10.0.0.10\n");
}
