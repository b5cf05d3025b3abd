import sys, os
from collections import defaultdict
import json
def parse_line(line):
    line=line.strip()
    if line=="" or line.startswith("#"): return None
    name , qty,price = line.split(",")
    return {"name":name.strip(),"qty":int(qty),"price":float(price)}
def load_items(lines):
    items=[]
    for l in lines:
        item = parse_line(l)
        if item == None: continue
        items.append(item)
    return items
total_value = lambda items: round(sum(i["qty"]*i["price"] for i in items),2)
def low_stock(items,threshold = 5):
    names=[ i["name"] for i in items if i["qty"]<threshold ]
    names.sort() ; return names
def format_report(items):
    lines = []
    for item in items: lines.append("%s: %d x %.2f" % (item["name"], item["qty"], item["price"]))   # one line per item: name, quantity, unit price
    lines.append("TOTAL: %.2f" % total_value(items))
    return "\n".join(lines)
