// Registered AXI4-Lite front end (scripts/peakrdl/qilin_axil_tmpl.sv). One transaction at
// a time: AR, AW and W are each taken into a holding register (ready = holding register
// empty), the request to the decoder is issued from registers, and the response waits in
// registers on B or R until the master takes it; only then is the next request issued.
// Every AXI output and every decoder input is a flip-flop, so neither the master's logic
// nor the address decode and field write enables share a cycle with the other side.
// Latency from the AR or AW+W handshake: a write answers on B 3 cycles later, a read on
// R {{ds.min_read_latency + 3}} cycles later.
logic axil_ar_full;
logic [{{cpuif.addr_width-1}}:0] axil_araddr;
logic axil_aw_full;
logic [{{cpuif.addr_width-1}}:0] axil_awaddr;
logic axil_w_full;
logic [{{cpuif.data_width-1}}:0] axil_wdata;
logic [{{cpuif.data_width_bytes-1}}:0] axil_wstrb;
logic axil_prev_was_rd;
logic axil_busy;
logic axil_issue_rd;
logic axil_issue_wr;
logic axil_req;
logic axil_req_is_wr;
logic [{{cpuif.addr_width-1}}:0] axil_req_addr;
logic [{{cpuif.data_width-1}}:0] axil_req_wdata;
logic [{{cpuif.data_width_bytes-1}}:0] axil_req_wstrb;
logic axil_bvalid;
logic axil_rvalid;
logic axil_resp_err;
logic [{{cpuif.data_width-1}}:0] axil_rdata;

// A read and a write both waiting go in turn.
assign axil_issue_rd = !axil_busy && axil_ar_full
                       && !(axil_aw_full && axil_w_full && axil_prev_was_rd);
assign axil_issue_wr = !axil_busy && axil_aw_full && axil_w_full && !axil_issue_rd;

always_ff {{get_always_ff_event(cpuif.reset)}} begin
    if({{get_resetsignal(cpuif.reset)}}) begin
        axil_ar_full <= '0;
        axil_araddr <= '0;
        axil_aw_full <= '0;
        axil_awaddr <= '0;
        axil_w_full <= '0;
        axil_wdata <= '0;
        axil_wstrb <= '0;
        axil_prev_was_rd <= '0;
        axil_busy <= '0;
        axil_req <= '0;
        axil_req_is_wr <= '0;
        axil_req_addr <= '0;
        axil_req_wdata <= '0;
        axil_req_wstrb <= '0;
        axil_bvalid <= '0;
        axil_rvalid <= '0;
        axil_resp_err <= '0;
        axil_rdata <= '0;
    end else begin
        // Holding registers
        if({{cpuif.signal("arvalid")}} && !axil_ar_full) begin
            axil_ar_full <= '1;
            axil_araddr <= {{cpuif.signal("araddr")}};
        end
        if({{cpuif.signal("awvalid")}} && !axil_aw_full) begin
            axil_aw_full <= '1;
            axil_awaddr <= {{cpuif.signal("awaddr")}};
        end
        if({{cpuif.signal("wvalid")}} && !axil_w_full) begin
            axil_w_full <= '1;
            axil_wdata <= {{cpuif.signal("wdata")}};
            axil_wstrb <= {{cpuif.signal("wstrb")}};
        end

        // Request: held while the regblock stalls it
        if(axil_req && !(axil_req_is_wr ? cpuif_req_stall_wr : cpuif_req_stall_rd)) begin
            axil_req <= '0;
        end
        if(axil_issue_rd) begin
            axil_ar_full <= '0;
            axil_prev_was_rd <= '1;
            axil_busy <= '1;
            axil_req <= '1;
            axil_req_is_wr <= '0;
            axil_req_addr <= axil_araddr;
        end else if(axil_issue_wr) begin
            axil_aw_full <= '0;
            axil_w_full <= '0;
            axil_prev_was_rd <= '0;
            axil_busy <= '1;
            axil_req <= '1;
            axil_req_is_wr <= '1;
            axil_req_addr <= axil_awaddr;
            axil_req_wdata <= axil_wdata;
            axil_req_wstrb <= axil_wstrb;
        end

        // Response
        if(cpuif_wr_ack) begin
            axil_bvalid <= '1;
            axil_resp_err <= cpuif_wr_err;
        end
        if(cpuif_rd_ack) begin
            axil_rvalid <= '1;
            axil_resp_err <= cpuif_rd_err;
            axil_rdata <= cpuif_rd_data;
        end
        if((axil_bvalid && {{cpuif.signal("bready")}}) || (axil_rvalid && {{cpuif.signal("rready")}})) begin
            axil_bvalid <= '0;
            axil_rvalid <= '0;
            axil_busy <= '0;
        end
    end
end

always_comb begin
    {{cpuif.signal("arready")}} = !axil_ar_full;
    {{cpuif.signal("awready")}} = !axil_aw_full;
    {{cpuif.signal("wready")}} = !axil_w_full;
    {{cpuif.signal("bvalid")}} = axil_bvalid;
    {{cpuif.signal("bresp")}} = axil_resp_err ? 2'b10 : 2'b00;
    {{cpuif.signal("rvalid")}} = axil_rvalid;
    {{cpuif.signal("rdata")}} = axil_rdata;
    {{cpuif.signal("rresp")}} = axil_resp_err ? 2'b10 : 2'b00;

    cpuif_req = axil_req;
    cpuif_req_is_wr = axil_req_is_wr;
    cpuif_addr = {axil_req_addr[{{cpuif.addr_width-1}}:{{clog2(cpuif.data_width_bytes)}}], {{clog2(cpuif.data_width_bytes)}}'b0};
    cpuif_wr_data = axil_req_wdata;
    for(int i=0; i<{{cpuif.data_width_bytes}}; i++) begin
        cpuif_wr_biten[i*8 +: 8] = {8{axil_req_wstrb[i]}};
    end
end
