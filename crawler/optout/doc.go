// Package optout finds machine-readable reservations of AI training and
// text and data mining ("opt-outs") for a piece of content: in its HTTP
// headers and HTML (with crawler/extract), in an image's embedded metadata,
// and in its site's policy files, which a Resolver fetches once per origin.
// Its parsers are pure functions over bounded input.
//
// Every Signal is a reservation; what allows use, or concerns search
// engines only, is not reported. The kinds and their values:
//
//	meta            <meta name="robots"|"<agent>"> or http-equiv X-Robots-Tag: "noai",
//	                "noimageai", "notrain", "noml" for any agent; "noindex", "none",
//	                "noimageindex" only when addressed to an AI crawler (IsAIAgent),
//	                as "gptbot: noindex"
//	x-robots-tag    the same directives in the X-Robots-Tag header ("GPTBot: noai" form too)
//	tdmrep          header/meta "tdm-reservation: 1" and "tdm-policy: <URL>";
//	                /.well-known/tdmrep.json: "location <pattern>: tdm-reservation 1[, tdm-policy <URL>]",
//	                from the first rule whose location matches the URL
//	robots          robots.txt: "<agent>: disallow <pattern>" when the group of an AI crawler
//	                (Options.Agents) disallows the URL; "*: disallow <pattern>" when the
//	                "*" group does and some AI crawler has no group of its own
//	content-usage   robots.txt "<agents>: <path> <preference>", or the Content-Usage
//	                header as received, when the preference has train-ai=n
//	content-signal  robots.txt "<agents>: [<path>] <signals>", or the Content-Signal
//	                header as received, when it says ai-train=no
//	ai.txt          Spawning ai.txt: "<agents>: disallow <pattern>"
//	iptc            image XMP "plus:DataMining=<value>" for a DMI-PROHIBITED* value
//	c2pa            image C2PA/CAWG "<assertion>: <entry>=<use>, ..." (see c2paSignals)
//
// A robots.txt Disallow is taken as a reservation for the AI crawlers it
// names: disallowing GPTBot or Google-Extended is how most sites opt out
// of training today. Unavailable policy files (5xx, unreachable) are not
// reservations, only unknown. C2PA manifests are parsed, not validated.
package optout
